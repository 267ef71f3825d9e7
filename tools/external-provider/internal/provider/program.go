package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// programFailure is what a diagnostic says when the program cannot give a result.
type programFailure struct {
	Summary string
	Detail  string
}

// runProgram runs args[0] with args[1:] (no shell) in workingDir, the
// query as a JSON object on stdin and Terraform's environment, and reads a
// JSON object of strings from stdout. A non-zero exit is a failure that
// quotes the program's stderr, as the protocol asks programs to explain
// themselves there.
func runProgram(ctx context.Context, args []string, workingDir string, query map[string]string) (map[string]string, *programFailure) {
	if len(args) == 0 {
		return nil, &programFailure{
			Summary: "External Program Missing",
			Detail:  "The data source was configured without a program to execute: program needs at least one non-empty element.",
		}
	}
	input, err := json.Marshal(query)
	if err != nil {
		return nil, &programFailure{Summary: "Query Handling Failed", Detail: fmt.Sprintf("Could not encode the query: %s", err)}
	}

	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	// A relative program path ("./script") is run as given, as 2.3.x does.
	if errors.Is(cmd.Err, exec.ErrDot) {
		cmd.Err = nil
	}
	cmd.Dir = workingDir
	cmd.Stdin = bytes.NewReader(input)
	var stderr strings.Builder
	cmd.Stderr = &stderr

	output, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || cmd.Process == nil {
			return nil, &programFailure{
				Summary: "External Program Lookup Failed",
				Detail: fmt.Sprintf("The program could not be started: it must be on PATH or a path "+
					"(relative to the working directory, e.g. \"${path.module}/program\").\n\nProgram: %s\nError: %s", args[0], err),
			}
		}
		message := "The program was executed, however it returned no additional error messaging."
		if stderr.Len() > 0 {
			message = "Error Message: " + stderr.String()
		}
		return nil, &programFailure{
			Summary: "External Program Execution Failed",
			Detail: fmt.Sprintf("The data source received an unexpected error while attempting to execute the program.\n\n"+
				"Program: %s\n%s\nState: %s", cmd.Path, message, err),
		}
	}

	result := map[string]string{}
	if err := json.Unmarshal(output, &result); err != nil {
		return nil, &programFailure{
			Summary: "Unexpected External Program Results",
			Detail: fmt.Sprintf("Program output must be a JSON object of string keys and string values.\n\n"+
				"Program: %s\nResult Error: %s", cmd.Path, err),
		}
	}
	return result, nil
}
