package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// replaceOnTriggerChange plans a replacement of null_resource when "triggers"
// changes, with the same allowance hashicorp/null 3.2.x makes for state
// written by its older, SDK-based releases (which dropped null map values, and
// stored a map of only null values as no map at all): a key that is absent
// from the prior state and null in the configuration is not a change. Any
// other difference (a key added with a value, removed, or given another
// value, including null or unknown) replaces the resource; a difference that
// is not a change is applied in place.
type replaceOnTriggerChange struct{}

var _ planmodifier.Map = replaceOnTriggerChange{}

func (replaceOnTriggerChange) Description(context.Context) string {
	return "Changing any trigger value replaces the resource."
}

func (m replaceOnTriggerChange) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (replaceOnTriggerChange) PlanModifyMap(_ context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	creating := req.State.Raw.IsNull()
	destroying := req.Plan.Raw.IsNull()
	if creating || destroying {
		return
	}
	if triggersChanged(req.StateValue, req.ConfigValue) {
		resp.RequiresReplace = true
	}
}

// triggersChanged reports whether going from the prior triggers to the
// configured ones is a change that must replace the resource.
func triggersChanged(prior, config types.Map) bool {
	if config.Equal(prior) {
		return false
	}
	before := prior.Elements() // empty when null or unknown
	after := config.Elements()
	for key := range before {
		if _, kept := after[key]; !kept {
			return true
		}
	}
	for key, value := range after {
		old, existed := before[key]
		if !existed {
			if !value.IsNull() {
				return true
			}
			continue
		}
		if !value.Equal(old) {
			return true
		}
	}
	return false
}
