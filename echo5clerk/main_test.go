package echo5clerk_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine outlives them: every
// client is closed and every fetch waited for.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
