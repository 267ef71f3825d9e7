// Command terraform-provider-external is this project's schema-compatible
// stand-in for hashicorp/external 2.3.5 (the "external" data source), written
// for environments where the real provider cannot be downloaded. See
// docs/TOOLCHAIN.md.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"cdktf-fpga-image-association/tools/external-provider/internal/provider"
)

// version is reported to Terraform; the build sets it with -ldflags "-X main.version=...".
var version = "2.3.5"

func main() {
	debug := flag.Bool("debug", false, "run the provider in debug mode (for delve)")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/hashicorp/external",
		Debug:           *debug,
		ProtocolVersion: 5,
	})
	if err != nil {
		log.Fatal(err)
	}
}
