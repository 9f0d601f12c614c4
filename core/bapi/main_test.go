package bapi

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine outlives them, such as
// the read loop of an idle connection that no one closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
