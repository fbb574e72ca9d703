"""Landing → bronze: parse and validate event lines, find new landing files."""
