// Package provider implements the "null" provider: no configuration and one
// resource type, null_resource, whose schema matches hashicorp/null 3.2.4.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

type nullProvider struct {
	version string
}

var _ provider.Provider = (*nullProvider)(nil)

// New returns a factory for the provider, as providerserver.Serve expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &nullProvider{version: version}
	}
}

func (p *nullProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "null"
	resp.Version = p.version
}

// Schema is empty: the provider takes no configuration.
func (p *nullProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{}
}

func (p *nullProvider) Configure(_ context.Context, _ provider.ConfigureRequest, _ *provider.ConfigureResponse) {
}

func (p *nullProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{newNullResource}
}

func (p *nullProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return nil
}
