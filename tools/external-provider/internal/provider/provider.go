// Package provider implements the "external" provider: no configuration and
// one data source, external, whose schema matches hashicorp/external 2.3.5.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

type externalProvider struct {
	version string
}

var _ provider.Provider = (*externalProvider)(nil)

// New returns a factory for the provider, as providerserver.Serve expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &externalProvider{version: version}
	}
}

func (p *externalProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "external"
	resp.Version = p.version
}

// Schema is empty: the provider takes no configuration.
func (p *externalProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{}
}

func (p *externalProvider) Configure(_ context.Context, _ provider.ConfigureRequest, _ *provider.ConfigureResponse) {
}

func (p *externalProvider) Resources(_ context.Context) []func() resource.Resource {
	return nil
}

func (p *externalProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newExternalDataSource}
}
