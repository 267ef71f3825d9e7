package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// externalDataSource runs a program that speaks the external protocol (see
// program.go) and exposes its answer as "result".
type externalDataSource struct{}

var _ datasource.DataSource = (*externalDataSource)(nil)

func newExternalDataSource() datasource.DataSource {
	return &externalDataSource{}
}

type externalDataSourceModel struct {
	Program    types.List   `tfsdk:"program"`
	WorkingDir types.String `tfsdk:"working_dir"`
	Query      types.Map    `tfsdk:"query"`
	Result     types.Map    `tfsdk:"result"`
	ID         types.String `tfsdk:"id"`
}

// The data source has the provider's own name: data "external" "<name>".
func (d *externalDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName
}

// Schema: version 0, the attributes and kinds of hashicorp/external 2.3.5.
func (d *externalDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Runs a program that reads a JSON object of strings (the query) on stdin and writes " +
			"a JSON object of strings (the result) on stdout.",
		Attributes: map[string]schema.Attribute{
			"program": schema.ListAttribute{
				Description: "The program to run, then its arguments; run without a shell. At least one " +
					"non-empty element.",
				ElementType: types.StringType,
				Required:    true,
			},
			"working_dir": schema.StringAttribute{
				Description: "Working directory of the program; Terraform's own when not set.",
				Optional:    true,
			},
			"query": schema.MapAttribute{
				Description: "Strings passed to the program as a JSON object on stdin; an empty object when not set.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"result": schema.MapAttribute{
				Description: "The strings the program wrote as a JSON object on stdout.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"id": schema.StringAttribute{
				Description: "Always `-`.",
				Computed:    true,
			},
		},
	}
}

func (d *externalDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model externalDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var program []types.String
	resp.Diagnostics.Append(model.Program.ElementsAs(ctx, &program, false)...)
	var query map[string]types.String
	if !model.Query.IsNull() {
		resp.Diagnostics.Append(model.Query.ElementsAs(ctx, &query, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// Like 2.3.x: empty program elements and null query values are dropped.
	args := make([]string, 0, len(program))
	for _, arg := range program {
		if !arg.IsNull() && arg.ValueString() != "" {
			args = append(args, arg.ValueString())
		}
	}
	input := map[string]string{}
	for key, value := range query {
		if !value.IsNull() {
			input[key] = value.ValueString()
		}
	}

	result, failure := runProgram(ctx, args, model.WorkingDir.ValueString(), input)
	if failure != nil {
		resp.Diagnostics.AddAttributeError(path.Root("program"), failure.Summary, failure.Detail)
		return
	}

	mapped, diags := types.MapValueFrom(ctx, types.StringType, result)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	model.Result = mapped
	model.ID = types.StringValue("-")
	resp.Diagnostics.Append(resp.State.Set(ctx, model)...)
}
