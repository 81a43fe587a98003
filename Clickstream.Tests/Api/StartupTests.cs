using Clickstream.Tests.EndToEnd;

namespace Clickstream.Tests.Api;

/// <summary>A misconfigured API refuses to start with one line saying what to fix, and a non-zero exit code.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Without_Kafka_bootstrap_servers_and_with_the_standalone_run_off_the_API_exits_naming_the_setting()
    {
        var (exitCode, output) = await StandaloneApp.RunUntilExitAsync(new Dictionary<string, string> { ["Standalone__Enabled"] = "false" });

        Assert.Equal(1, exitCode);
        Assert.Contains("Clickstream could not start: Kafka:BootstrapServers is not set", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // one message, no stack trace
    }

    [Fact]
    public async Task A_short_API_key_stops_the_start()
    {
        var (exitCode, output) = await StandaloneApp.RunUntilExitAsync(new Dictionary<string, string>
        {
            ["Standalone__Enabled"] = "false",
            ["Kafka__BootstrapServers"] = "127.0.0.1:9",
            ["Api__Keys__0"] = "short",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Api:Keys", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_PostgreSQL_port_stops_the_standalone_run_with_the_server_log()
    {
        var data = Path.Combine("/var/tmp", $"clickstream-startup-{Guid.NewGuid():N}");
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        try
        {
            var (exitCode, output) = await StandaloneApp.RunUntilExitAsync(new Dictionary<string, string>
            {
                ["Standalone__PostgresDataDirectory"] = Path.Combine(data, "postgres"),
                ["Standalone__PostgresPort"] = port.ToString(),
            });

            Assert.Equal(1, exitCode);
            Assert.Contains($"Clickstream could not start: PostgreSQL exited while starting on 127.0.0.1:{port}", output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
