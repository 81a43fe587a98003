namespace Clickstream.Api.Dashboard;

/// <summary>
/// The page and its script and style sheet, embedded in this assembly from <c>Dashboard/Page/</c>: the dashboard needs no
/// file next to the binary and nothing from the network.
/// </summary>
internal static class DashboardAssets
{
    public static readonly byte[] Page = Read("dashboard.html");
    public static readonly byte[] Script = Read("dashboard.js");
    public static readonly byte[] StyleSheet = Read("dashboard.css");

    private static byte[] Read(string name) => Pages.EmbeddedPages.Read($"Clickstream.Api.Dashboard.Page.{name}");
}
