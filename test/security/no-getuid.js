// Preloaded (node --require) into a real handler process: a platform without POSIX owners, as on Windows.
delete process.getuid;
