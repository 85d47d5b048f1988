global using NUnit.Framework;
global using PageDb.Testing;
