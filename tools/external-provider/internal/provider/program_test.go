package provider

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// script writes an executable shell script into a temporary directory.
func script(t *testing.T, body string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "program.sh")
	if err := os.WriteFile(file, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestRunProgramPassesTheQueryAndReadsTheResult(t *testing.T) {
	echo := script(t, "cat\n")
	got, failure := runProgram(context.Background(), []string{echo}, "", map[string]string{"a": "1", "b": "two"})
	if failure != nil {
		t.Fatalf("unexpected failure: %+v", failure)
	}
	if want := map[string]string{"a": "1", "b": "two"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("result = %v, want %v", got, want)
	}
}

func TestRunProgramSendsAnEmptyObjectWithoutAQuery(t *testing.T) {
	echo := script(t, "printf '{\"stdin\":\"%s\"}' \"$(cat)\"\n")
	got, failure := runProgram(context.Background(), []string{echo}, "", map[string]string{})
	if failure != nil || got["stdin"] != "{}" {
		t.Fatalf("got %v, %+v; want stdin {}", got, failure)
	}
}

func TestRunProgramRunsInTheWorkingDirectoryWithArguments(t *testing.T) {
	dir := t.TempDir()
	pwd := script(t, "printf '{\"dir\":\"%s\",\"arg\":\"%s\"}' \"$(pwd)\" \"$1\"\n")
	got, failure := runProgram(context.Background(), []string{pwd, "x y"}, dir, nil)
	if failure != nil {
		t.Fatalf("unexpected failure: %+v", failure)
	}
	resolved, _ := filepath.EvalSymlinks(dir)
	if got["dir"] != dir && got["dir"] != resolved || got["arg"] != "x y" {
		t.Fatalf("got %v; want dir %s and arg \"x y\"", got, dir)
	}
}

func TestRunProgramFailures(t *testing.T) {
	cases := []struct {
		name, body, summary, detail string
	}{
		{"non-zero exit quotes stderr", "echo 'it broke' >&2; exit 3\n", "External Program Execution Failed", "Error Message: it broke"},
		{"non-zero exit without stderr", "exit 1\n", "External Program Execution Failed", "returned no additional error messaging"},
		{"not JSON", "echo nope\n", "Unexpected External Program Results", "JSON object"},
		{"values must be strings", "echo '{\"a\":1}'\n", "Unexpected External Program Results", "JSON object"},
	}
	for _, c := range cases {
		_, failure := runProgram(context.Background(), []string{script(t, c.body)}, "", nil)
		if failure == nil || failure.Summary != c.summary || !strings.Contains(failure.Detail, c.detail) {
			t.Errorf("%s: got %+v; want %q containing %q", c.name, failure, c.summary, c.detail)
		}
	}
}

func TestRunProgramMissing(t *testing.T) {
	if _, failure := runProgram(context.Background(), nil, "", nil); failure == nil || failure.Summary != "External Program Missing" {
		t.Errorf("no program: got %+v", failure)
	}
	_, failure := runProgram(context.Background(), []string{"no-such-program-here"}, "", nil)
	if failure == nil || failure.Summary != "External Program Lookup Failed" {
		t.Errorf("unknown program: got %+v", failure)
	}
}
