package otelclerk

import (
	"context"
	"errors"
	"net"
	"net/http"
	"reflect"
	"strconv"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/bapi"
)

// errorType is the error.type of a failed call: low-cardinality and free of
// the error's text.
func errorType(err error) string {
	var apiErr *bapi.Error
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &apiErr) && apiErr != nil && apiErr.StatusCode >= 100 && apiErr.StatusCode <= 999:
		return strconv.Itoa(apiErr.StatusCode) // as HTTP semantic conventions do
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	}
	if r := core.ReasonOf(err); r != "" {
		return string(r)
	}
	return "_OTHER"
}

// errorMessage describes a failed call from its error.type alone: the text
// of an error is not safe to export (a Backend API error names its path,
// and so a user ID).
func errorMessage(op core.CallOp, errType string) string {
	prefix := "clerk " + string(op) + " call "
	switch errType {
	case "timeout":
		return prefix + "timed out"
	case "canceled":
		return prefix + "canceled"
	case "_OTHER":
		return prefix + "failed"
	}
	if code, err := strconv.Atoi(errType); err == nil {
		return prefix + "failed: Clerk answered HTTP " + errType + " " + http.StatusText(code)
	}
	return prefix + "failed: " + errType
}

// goType names the Go type of err ("*bapi.Error"), for exception.type.
func goType(err error) string { return reflect.TypeOf(err).String() }
