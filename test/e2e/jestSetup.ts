// A real n8n answers in hundreds of milliseconds, but on a loaded 2-core machine a single call
// (password hashing at owner setup, a cold node load) can take seconds; jest's 5 s default is for
// unit tests. `testTimeout` in a project's config is ignored by jest, so it is set here.
jest.setTimeout(180_000);
