using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks;

/// <summary>
/// Memory exhaustion before authentication, measured on the real <c>edge-agent run</c> process: hostile offers of the
/// largest size the agent admits (unsigned random bytes; a zip of thousands of empty unlisted entries) are published
/// to it through mosquitto, and its resident memory is sampled every 10 ms from /proc before, while it refuses them
/// (peak from VmHWM, reset first) and afterwards. Target (issue 12): at most +16 MB while refusing, back to the steady
/// level afterwards.
/// </summary>
internal static class OfferMemoryAttack
{
    private const double RiseLimitMb = 16;

    public static async Task<IReadOnlyList<JsonObject>> RunAsync(string root)
    {
        var agent = Path.Combine(root, "agent", "Edge.Agent", "bin", "Release", "net10.0", "edge-agent");
        if (!File.Exists(agent))
        {
            throw new FileNotFoundException($"edge-agent not built at {agent}: dotnet build agent/Edge.Agent -c Release");
        }

        using var lab = await SecurityLab.StartAsync(agent);
        using var attacker = await lab.ConnectAsync("attacker");
        var rows = new List<JsonObject>();
        var random = new Random(12);
        var unsigned = new byte[ModelPackageLayout.MaxPackageBytes];
        random.NextBytes(unsigned);
        rows.Add(await MeasureAsync(lab, attacker, "M1", $"unsigned offer of the maximum size ({Mib(unsigned.Length)})",
            unsigned));
        rows.Add(await MeasureAsync(lab, attacker, "M2", "offer: a zip of 60 000 empty entries no manifest lists",
            ManyEntries(60_000)));
        return rows;
    }

    private static async Task<JsonObject> MeasureAsync(
        SecurityLab lab, IMqttClient attacker, string id, string attack, byte[] package)
    {
        var steady = await lab.SteadyRssKbAsync();
        lab.ResetPeak();
        var offerId = Guid.NewGuid();
        var verdict = lab.NextAck(offerId);
        var frame = new ModelOffer(offerId, package).Encode();
        await attacker.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(EdgeTopics.For(lab.DeviceId, TopicKind.ModelOffer))
            .WithPayload(frame)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        var reason = await verdict.WaitAsync(TimeSpan.FromSeconds(60));
        var peak = lab.PeakRssKb();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await lab.SteadyRssKbAsync();
        var rise = (peak - steady) / 1024.0;
        var left = (after - steady) / 1024.0;
        var held = reason.Accepted is false && rise <= RiseLimitMb && left <= 4;
        return new JsonObject
        {
            ["id"] = id,
            ["attack"] = attack,
            ["command"] = "dotnet run -c Release --project tests/Edge.Benchmarks -- security",
            ["expected"] = $"refused; resident memory +≤ {RiseLimitMb:F0} MB while refusing, back to steady after",
            ["observed"] = string.Create(CultureInfo.InvariantCulture,
                $"{(reason.Accepted ? "ACCEPTED" : "refused")} (\"{Shorten(reason.Reason)}\"); RSS {steady / 1024.0:F1} MB → "
                + $"peak {peak / 1024.0:F1} MB (+{rise:F1}) → {after / 1024.0:F1} MB after ({left:+0.0;-0.0} MB)"),
            ["held"] = held,
            ["rss_steady_mb"] = Math.Round(steady / 1024.0, 1),
            ["rss_peak_mb"] = Math.Round(peak / 1024.0, 1),
            ["rss_after_mb"] = Math.Round(after / 1024.0, 1),
        };
    }

    private static byte[] ManyEntries(int count)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < count; i++)
            {
                zip.CreateEntry(i.ToString("x", CultureInfo.InvariantCulture), CompressionLevel.NoCompression);
            }
        }

        return buffer.ToArray();
    }

    private static string Mib(long bytes) => $"{bytes / 1048576.0:F0} MiB";

    private static string Shorten(string text) => text.Length <= 90 ? text : text[..87] + "…";
}
