package main

// Set at build time (-ldflags -X main.version=...) to the collector release the build pins.
var version = "dev"
