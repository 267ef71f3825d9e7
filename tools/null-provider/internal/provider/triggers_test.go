package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func strMap(values map[string]attr.Value) types.Map {
	return types.MapValueMust(types.StringType, values)
}

func TestTriggersChanged(t *testing.T) {
	null := types.MapNull(types.StringType)
	unknown := types.MapUnknown(types.StringType)
	s := types.StringValue
	nullStr := types.StringNull()

	cases := []struct {
		name          string
		prior, config types.Map
		want          bool
	}{
		{"same values", strMap(map[string]attr.Value{"a": s("1")}), strMap(map[string]attr.Value{"a": s("1")}), false},
		{"value changed", strMap(map[string]attr.Value{"a": s("1")}), strMap(map[string]attr.Value{"a": s("2")}), true},
		{"key added with a value", strMap(map[string]attr.Value{"a": s("1")}), strMap(map[string]attr.Value{"a": s("1"), "b": s("2")}), true},
		{"key added as null", strMap(map[string]attr.Value{"a": s("1")}), strMap(map[string]attr.Value{"a": s("1"), "b": nullStr}), false},
		{"key removed", strMap(map[string]attr.Value{"a": s("1"), "b": s("2")}), strMap(map[string]attr.Value{"a": s("1")}), true},
		{"existing key set to null", strMap(map[string]attr.Value{"a": s("1")}), strMap(map[string]attr.Value{"a": nullStr}), true},
		{"no map to a value", null, strMap(map[string]attr.Value{"a": s("1")}), true},
		{"no map to an empty map", null, strMap(map[string]attr.Value{}), false},
		{"no map to only nulls", null, strMap(map[string]attr.Value{"a": nullStr}), false},
		{"map to no map", strMap(map[string]attr.Value{"a": s("1")}), null, true},
		{"empty map to no map", strMap(map[string]attr.Value{}), null, false},
		{"value becomes unknown", strMap(map[string]attr.Value{"a": s("1")}), strMap(map[string]attr.Value{"a": types.StringUnknown()}), true},
		{"whole map becomes unknown", strMap(map[string]attr.Value{"a": s("1")}), unknown, true},
	}
	for _, c := range cases {
		if got := triggersChanged(c.prior, c.config); got != c.want {
			t.Errorf("%s: triggersChanged = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRandomDecimalID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id, err := randomDecimalID()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range id {
			if r < '0' || r > '9' {
				t.Fatalf("id %q is not a decimal number", id)
			}
		}
		seen[id] = true
	}
	if len(seen) < 95 {
		t.Fatalf("ids repeat too often: %d distinct of 100", len(seen))
	}
}
