using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Clickstream.Api.Tracker;

/// <summary>
/// The tracker script (<c>Tracker/Script/tracker.js</c>) and the demo page (<c>Tracker/Demo/</c>), embedded in this
/// assembly: nothing next to the binary, nothing built. The script's entity tag is its content's hash, so a browser
/// revalidating after <c>max-age</c> gets a 304 until the API is upgraded.
/// </summary>
internal static class TrackerAssets
{
    public static readonly byte[] Script = Read("Script.tracker.js");
    public static readonly EntityTagHeaderValue ScriptTag = new($"\"{Convert.ToHexStringLower(SHA256.HashData(Script))[..16]}\"");
    public static readonly byte[] DemoPage = Read("Demo.demo.html");
    public static readonly byte[] DemoScript = Read("Demo.demo.js");
    public static readonly byte[] DemoStyleSheet = Read("Demo.demo.css");

    private static byte[] Read(string name) => Pages.EmbeddedPages.Read($"Clickstream.Api.Tracker.{name}");
}
