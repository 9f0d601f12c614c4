package rediscache

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
)

// reply is an error reply of a Redis server, as go-redis reports them.
type reply string

func (r reply) Error() string { return string(r) }
func (reply) RedisError()     {}

func TestErrorText(t *testing.T) {
	tests := []struct {
		name  string
		err   *Error
		want  string
		leaks string // must not appear in the text
	}{
		{"reply quoting arguments", &Error{Op: "set", Err: reply("ERR unknown command 'set', with args beginning with: 'clerkgo:ns:user:user_123' 'payload'")},
			"rediscache: set: redis error reply ERR", "user_123"},
		{"wrapped reply", &Error{Op: "get", Err: fmt.Errorf("cluster: %w", reply("NOPERM no permissions to access key clerkgo:x"))},
			"rediscache: get: redis error reply NOPERM", "clerkgo:x"},
		{"timeout", &Error{Op: "get", Err: ErrTimeout}, "rediscache: get: operation timed out: context deadline exceeded", ""},
		{"too large", &Error{Op: "set", Err: ErrValueTooLarge}, "rediscache: set: value too large", ""},
		{"network", &Error{Op: "get", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}, "rediscache: get: dial tcp: connection refused", ""},
		{"canceled", &Error{Op: "get", Err: context.Canceled}, "rediscache: get: context canceled", ""},
		{"no cause", &Error{Op: "get"}, "rediscache: get: <nil>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.err.Error()
			if got != tt.want {
				t.Fatalf("Error() = %q, want %q", got, tt.want)
			}
			if tt.leaks != "" && strings.Contains(got, tt.leaks) {
				t.Fatalf("Error() %q contains %q", got, tt.leaks)
			}
			if tt.err.Err != nil && !errors.Is(tt.err, tt.err.Err) {
				t.Fatal("the cause is not reachable with errors.Is")
			}
		})
	}
	var nilErr *Error
	if nilErr.Error() != "<nil>" || nilErr.Unwrap() != nil {
		t.Fatal("a nil *Error")
	}
}
