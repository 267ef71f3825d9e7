# One association: the FPGA image with one private ECS image, in the project of the credentials in use.
module "fpga_image_association" {
  source = "../.."

  fpga_image_id = "4010a32b5f231f04015f24259efd0429"
  image_id      = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"
  region        = "cn-north-1"
}

output "association_id" {
  value = module.fpga_image_association.association_id
}
