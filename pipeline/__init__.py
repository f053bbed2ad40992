"""Prefect-free orchestration of koe's steps: window loading and caches, the topic modelling, the weekly /
release-check / FAQ-gap compositions and the calendar. flows/ wraps these in Prefect; bench/ calls them
directly with a timing hook. Imports: nlp, store, sources, reports; never prefect, flows or bench."""
