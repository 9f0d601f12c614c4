module github.com/clerkgo/clerk

go 1.25.0
