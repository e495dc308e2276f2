"""Where the boards are kept: the store interface, its in-process and Redis implementations, and ``families``, the one
module that names every board family and decides which one a reader sees."""
