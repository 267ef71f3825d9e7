# One association per ECS image, with for_each: dropping an image from ecs_image_ids disassociates it;
# enabled = false disassociates them all (then the block can be deleted).
variable "fpga_image_id" {
  type = string
}

variable "ecs_image_ids" {
  type = set(string)
}

variable "project_id" {
  type    = string
  default = null # found from the credentials and the region
}

variable "region" {
  type    = string
  default = "cn-north-1"
}

variable "endpoint" {
  type    = string
  default = null # the region's ECS endpoint
}

variable "enabled" {
  type    = bool
  default = true
}

module "fpga_image_association" {
  source   = "../.."
  for_each = var.ecs_image_ids

  fpga_image_id = var.fpga_image_id
  image_id      = each.key
  project_id    = var.project_id
  region        = var.region
  endpoint      = var.endpoint
  enabled       = var.enabled
}

output "association_ids" {
  value = { for image_id, association in module.fpga_image_association : image_id => association.association_id }
}
