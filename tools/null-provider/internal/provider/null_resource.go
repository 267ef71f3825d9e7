package provider

import (
	"context"
	"crypto/rand"
	"math"
	"math/big"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// nullResource does nothing outside Terraform's state. It exists so that
// provisioners can run on create and destroy, and so that a change of
// "triggers" replaces it.
type nullResource struct{}

// Like 3.2.4, the resource cannot be imported.
var _ resource.Resource = (*nullResource)(nil)

func newNullResource() resource.Resource {
	return &nullResource{}
}

type nullResourceModel struct {
	ID       types.String `tfsdk:"id"`
	Triggers types.Map    `tfsdk:"triggers"`
}

func (r *nullResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_resource"
}

// Schema: version 0, "id" computed, "triggers" an optional map of strings whose
// change forces a new resource (see replaceOnTriggerChange for what counts).
func (r *nullResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A resource that does nothing beyond Terraform's lifecycle: use it to run provisioners, " +
			"and change `triggers` to have it replaced.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description: "A random decimal number chosen when the resource is created.",
				Computed:    true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
				},
			},
			"triggers": schema.MapAttribute{
				Description: "Arbitrary strings; any change to this map replaces the resource.",
				ElementType: types.StringType,
				Optional:    true,
				PlanModifiers: []planmodifier.Map{
					replaceOnTriggerChange{},
				},
			},
		},
	}
}

func (r *nullResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var model nullResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}

	id, err := randomDecimalID()
	if err != nil {
		resp.Diagnostics.AddError("Could not choose an id for null_resource", err.Error())
		return
	}
	model.ID = types.StringValue(id)
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}

// Read keeps the state as it is: nothing exists outside Terraform.
func (r *nullResource) Read(_ context.Context, _ resource.ReadRequest, _ *resource.ReadResponse) {
}

// Update is reached only when nothing that matters changed ("triggers" forces
// replacement), so the planned values become the state.
func (r *nullResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var model nullResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}

// Delete has nothing to remove; the framework drops the state when no error is reported.
func (r *nullResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}

// randomDecimalID returns a non-negative random integer as a decimal string,
// in the same range as Go's rand.Int on 64-bit platforms.
func randomDecimalID() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(math.MaxInt64))
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(n.Int64(), 10), nil
}
