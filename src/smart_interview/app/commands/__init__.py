"""One module per `smart-interview` subcommand."""
