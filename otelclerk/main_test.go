package otelclerk_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a goroutine outlives the tests: the Observer
// starts none, and every client, fake and provider the tests build is
// closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
