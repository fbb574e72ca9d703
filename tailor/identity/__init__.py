"""Identity resolution: stitch device / anonymous ids to a person, pseudonymise identifiers."""
