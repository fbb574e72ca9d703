"""Test and benchmark tooling (synthetic decisions, a checking load generator): not part of the
installed package. Benches import it with the repository on sys.path."""
