module github.com/clerkgo/clerk/tools/clerkref

go 1.25.0

require github.com/clerkgo/clerk v0.0.0

replace github.com/clerkgo/clerk => ../..
