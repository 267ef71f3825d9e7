# Acting in another account through an IAM agency, without project_id: the handler finds the
# project of the region for the agency's credentials, on create and on destroy.
variable "agency_name" {
  type = string
}

variable "domain_name" {
  type = string
}

module "fpga_image_association" {
  source = "../.."

  fpga_image_id = "4010a32b5f231f04015f24259efd0429"
  image_id      = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"
  region        = "cn-north-1"
  assume_role = {
    agency_name = var.agency_name
    domain_name = var.domain_name
  }
}

output "association_id" {
  value = module.fpga_image_association.association_id
}
