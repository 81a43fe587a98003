namespace Clickstream.Tests.Faults;

/// <summary>
/// How big the fault scenarios run. CI (<c>CI=true</c>) runs the whole suite on 2 cores within its time budget, so there
/// the slowest scenarios repeat their fault fewer times; every scenario still runs, and still injects each fault.
/// </summary>
internal static class FaultScale
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="full"/> on a developer's machine, <paramref name="ci"/> in CI.</summary>
    public static int Pick(int full, int ci) => InCi ? ci : full;
}
