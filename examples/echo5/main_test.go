package main

import (
	"testing"

	"github.com/clerkgo/clerk/examples/internal/demotest"
)

func TestFakeMode(t *testing.T)   { demotest.FakeMode(t, serve) }
func TestEnvMode(t *testing.T)    { demotest.EnvMode(t, run) }
func TestJWTKeyMode(t *testing.T) { demotest.JWTKeyMode(t, run) }
func TestPagesMode(t *testing.T)  { demotest.PagesMode(t, serve) }
