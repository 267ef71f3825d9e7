# Plans of the module's shapes: no credentials, no network, nothing runs (provisioners run at apply).
# The drift check's query runs only after an apply (it waits for the step): the package's tests apply it.
variables {
  fpga_image_id = "4010a32b5f231f04015f24259efd0429"
  image_id      = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"
  project_id    = "0123456789abcdef0123456789abcdef"
  region        = "cn-north-1"
}

run "one_association" {
  command = plan

  assert {
    condition     = length(terraform_data.association) == 1 && length(terraform_data.associate) == 1
    error_message = "Expected one association and one step."
  }
  assert {
    condition     = output.association_id == "4010a32b5f231f04015f24259efd0429/18efee75-e058-4c52-a49c-9e3ba4d1c8de"
    error_message = "Expected association_id <fpga_image_id>/<image_id>."
  }
  assert {
    condition     = output.fpga_image_id == var.fpga_image_id && output.image_id == var.image_id
    error_message = "Expected the IDs as outputs."
  }
  assert {
    condition     = output.endpoint == "https://ecs.cn-north-1.myhuaweicloud.com"
    error_message = "Expected the region's endpoint."
  }
  assert {
    condition     = output.associate_address == "terraform_data.associate[0]"
    error_message = "Expected the step's address."
  }
  # Unset settings are not passed: the runner's FPGA_ASSOC_* or the handler's defaults apply.
  assert {
    condition     = terraform_data.association[0].input == { FPGA_ASSOC_PROJECT_ID = var.project_id, FPGA_ASSOC_FPGA_IMAGE_ID = var.fpga_image_id, FPGA_ASSOC_IMAGE_ID = var.image_id, FPGA_ASSOC_ENDPOINT = "https://ecs.cn-north-1.myhuaweicloud.com", FPGA_ASSOC_REGION = "" }
    error_message = "Expected the identity alone in the handler's environment."
  }
  assert {
    condition     = length(data.external.drift_check) == 0
    error_message = "Expected no drift check by default."
  }
}

run "settings_in_input_not_in_identity" {
  command = plan

  variables {
    attempt_timeout_seconds = 10
    max_attempts            = 5
    max_requests_per_second = 0.5
    assume_role             = { agency_name = "fpga-admin", domain_id = "0123456789abcdef0123456789abcdef", duration_seconds = 3600 }
  }

  assert {
    condition = terraform_data.association[0].input == {
      FPGA_ASSOC_PROJECT_ID              = var.project_id
      FPGA_ASSOC_FPGA_IMAGE_ID           = var.fpga_image_id
      FPGA_ASSOC_IMAGE_ID                = var.image_id
      FPGA_ASSOC_ENDPOINT                = "https://ecs.cn-north-1.myhuaweicloud.com"
      FPGA_ASSOC_REGION                  = ""
      FPGA_ASSOC_ATTEMPT_TIMEOUT_MS      = "10000"
      FPGA_ASSOC_MAX_ATTEMPTS            = "5"
      FPGA_ASSOC_MAX_REQUESTS_PER_SECOND = "0.5"
      FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME = "fpga-admin"
      FPGA_ASSOC_ASSUME_ROLE_DOMAIN_ID   = "0123456789abcdef0123456789abcdef"
      FPGA_ASSOC_ASSUME_ROLE_DURATION    = "3600"
    }
    error_message = "Expected each setting that is set in the handler's environment."
  }
  assert {
    condition     = !anytrue([for key, value in terraform_data.association[0].triggers_replace : value != null && strcontains(key, "assume_role")])
    error_message = "Expected no setting in the identity."
  }
}

run "without_project_id_the_region_is_identity" {
  command = plan

  variables {
    project_id = null
  }

  assert {
    condition     = terraform_data.association[0].triggers_replace.project_id == "" && terraform_data.association[0].triggers_replace.region == "cn-north-1"
    error_message = "Expected the region in the identity."
  }
}

run "endpoint_without_region" {
  command = plan

  variables {
    region   = null
    endpoint = "http://127.0.0.1:8080"
  }

  assert {
    condition     = output.endpoint == "http://127.0.0.1:8080" && terraform_data.association[0].triggers_replace.region == ""
    error_message = "Expected the endpoint given, and no region."
  }
}

run "huawei_endpoint_names_the_region_without_project_id" {
  command = plan

  variables {
    project_id = null
    region     = null
    endpoint   = "https://ecs.cn-east-2.myhuaweicloud.com"
  }

  assert {
    condition     = terraform_data.association[0].triggers_replace.region == "cn-east-2"
    error_message = "Expected the endpoint's region in the identity."
  }
}

run "disabled" {
  command = plan

  variables {
    enabled     = false
    drift_check = true
  }

  assert {
    condition     = length(terraform_data.association) == 0 && length(terraform_data.associate) == 0 && length(data.external.drift_check) == 0
    error_message = "Expected nothing while enabled is false."
  }
  assert {
    condition     = output.association_id == null && output.endpoint == null && output.associate_address == null
    error_message = "Expected null outputs while enabled is false."
  }
}

run "for_each" {
  command = plan

  module {
    source = "./examples/for_each"
  }

  variables {
    ecs_image_ids = ["18efee75-e058-4c52-a49c-9e3ba4d1c8de", "27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11"]
  }

  assert {
    condition = output.association_ids == {
      "18efee75-e058-4c52-a49c-9e3ba4d1c8de" = "4010a32b5f231f04015f24259efd0429/18efee75-e058-4c52-a49c-9e3ba4d1c8de"
      "27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11" = "4010a32b5f231f04015f24259efd0429/27a0e4a1-93b5-4c0e-9d8a-5a3f1e9b0c11"
    }
    error_message = "Expected one association per ECS image."
  }
}
