//! Sans-IO engines: the client (command generator) and, later, the responder.
