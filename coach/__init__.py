"""The `coach` command line tool."""
