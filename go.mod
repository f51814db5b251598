module github.com/gmpspec/gmpspec

go 1.26
