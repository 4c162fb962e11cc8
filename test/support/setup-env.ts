// Runs in every test worker before the test file: quiet logs, and nothing reads a developer's .data/.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';
