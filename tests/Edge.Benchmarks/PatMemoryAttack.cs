using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Agent.Messaging;
using Edge.Domain.Messaging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks;

/// <summary>
/// PAT requests at the agent's per-request limit, many in a row, against the real <c>edge-agent run</c> process: the
/// issue saw one request at the wire limit (174 762 drives) pin the device for 7.8 s and leave the agent 100 MB
/// larger for good. Counts the answers and samples resident memory before, at the peak and after.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class PatMemoryAttack
{
    private const int Requests = 40;
    private const int InFlight = 8;
    private const double GrowthSlackMb = 2;
    private const int Bursts = 2;
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(20);

    public static async Task<JsonObject> RunAsync(SecurityLab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        using var attacker = await lab.ConnectAsync("pat-attacker");
        var responseTopic = EdgeTopics.Root + "/_requesters/pat-attacker/pat/response";
        var answers = new ConcurrentDictionary<int, string>();
        using var window = new SemaphoreSlim(InFlight);
        var drives = new MqttOptions().MaxPatDrivesPerRequest;
        var responses = new float[drives * lab.Spec.OutputSize];
        attacker.ApplicationMessageReceivedAsync += e =>
        {
            var id = BitConverter.ToInt32(e.ApplicationMessage.CorrelationData);
            try
            {
                var problem = PatFrames.DecodeReply(e.ApplicationMessage.Payload.ToArray(), responses,
                    lab.Spec.OutputSize);
                answers[id] = problem is null ? "served" : problem.StartsWith("busy", StringComparison.Ordinal) ? "busy"
                    : "refused";
            }
            catch (MessageFormatException)
            {
                answers[id] = "malformed";
            }
            finally
            {
                window.Release();
            }

            return Task.CompletedTask;
        };
        await attacker.SubscribeAsync(responseTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var values = new float[drives * lab.Spec.DriveLength];
        var random = new Random(3);
        for (var i = 0; i < values.Length; i++)
        {
            var range = lab.Spec.SegmentRange(i % lab.Spec.DriveLength);
            values[i] = (float)(range.Lo + ((range.Hi - range.Lo) * random.NextDouble()));
        }

        var request = PatFrames.EncodeRequest(values, lab.Spec.DriveLength);
        var steady = await lab.SteadyRssKbAsync();
        lab.ResetPeak();
        var settled = new List<long>();
        for (var burst = 0; burst < Bursts; burst++)
        {
            await BurstAsync(lab, attacker, request, responseTopic, window, burst * Requests);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (answers.Count < (burst + 1) * Requests && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            await Task.Delay(SettleTime);
            settled.Add(await lab.SteadyRssKbAsync());
        }

        var peak = lab.PeakRssKb();
        var rise = (peak - steady) / 1024.0;
        var growth = (settled[^1] - settled[0]) / 1024.0;
        var served = answers.Values.Count(a => a == "served");
        var busy = answers.Values.Count(a => a == "busy");
        var total = Bursts * Requests;
        return new JsonObject
        {
            ["id"] = "M3",
            ["attack"] =
                $"{Bursts} bursts of {Requests} PAT requests of {drives} drives (the agent's per-request limit), "
                + $"{InFlight} in flight",
            ["command"] = SecurityLab.Command,
            ["attacker"] = "holds the trainer certificate (the only identity the broker lets send PAT requests)",
            ["expected"] =
                $"every request answered (served or busy); resident memory +≤ {SecurityLab.MemoryBudgetMb:F0} MB, and "
                + $"a second burst leaves it within {GrowthSlackMb:F0} MB of where the first did (bounded, not "
                    + "growing)",
            ["observed"] = FormattableString.Invariant(
                $"{answers.Count}/{total} answered ({served} served, {busy} busy); RSS {steady / 1024.0:F1} MB → ")
                + FormattableString.Invariant($"peak {peak / 1024.0:F1} MB (+{rise:F1}); after each burst: ")
                + string.Join(", ", settled.Select(k => (k / 1024.0).ToString("F1", CultureInfo.InvariantCulture)))
                + FormattableString.Invariant($" MB ({growth:+0.0;-0.0} MB from the first to the last)"),
            ["held"] = answers.Count == total && rise <= SecurityLab.MemoryBudgetMb && growth <= GrowthSlackMb,
            ["rss_steady_mb"] = Math.Round(steady / 1024.0, 1),
            ["rss_peak_mb"] = Math.Round(peak / 1024.0, 1),
            ["rss_after_each_burst_mb"] = new JsonArray([.. settled.Select(k => (JsonNode)Math.Round(k / 1024.0, 1))]),
        };
    }

    private static async Task BurstAsync(
        SecurityLab lab, IMqttClient attacker, byte[] request, string responseTopic, SemaphoreSlim window, int first)
    {
        for (var id = first; id < first + Requests; id++)
        {
            if (!await window.WaitAsync(TimeSpan.FromSeconds(60)))
            {
                return; // The agent stopped answering: the row says how many it did.
            }

            await attacker.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(EdgeTopics.For(lab.DeviceId, TopicKind.PatRequest))
                .WithPayload(request)
                .WithResponseTopic(responseTopic)
                .WithCorrelationData(BitConverter.GetBytes(id))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
        }
    }
}
