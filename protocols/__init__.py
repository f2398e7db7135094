"""The protocols the store speaks to the outside: OAI-PMH (`oaipmh`) and bulk exports (`export`)."""
