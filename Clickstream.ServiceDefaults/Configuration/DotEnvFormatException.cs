using Clickstream.ServiceDefaults.Hosting;

namespace Clickstream.ServiceDefaults.Configuration;

/// <summary>A .env line that cannot be read; the message names the file and the line.</summary>
public sealed class DotEnvFormatException(string message) : FixableStartupException(message);
