using System.Collections.Concurrent;
using System.Diagnostics;
using Edge.Agent.Configuration;
using Edge.Agent.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Edge.Agent.Tests;

public sealed class RunCommandTests
{
    [Fact]
    public async Task Hosted_device_logs_device_spec_self_test_and_graceful_stop()
    {
        var sink = new CapturingLoggerProvider();
        var builder = AgentHost.CreateBuilder(
            new AgentSettingsSources(null, new Dictionary<string, string?>()),
            [new("Edge:Device:System", "duffing"), new("Edge:Device:DeviceId", "svc-1")]);
        builder.Services.AddHostedService<DeviceHostService>();
        builder.Logging.AddProvider(sink);
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        var messages = sink.Messages.ToArray();
        Assert.Contains(messages, m => m.Contains("Hosting device svc-1 of system duffing", StringComparison.Ordinal));
        Assert.Contains(messages,
            m => m.Contains("Layer spec duffing: 12 inputs, 12 parameters, 12 outputs", StringComparison.Ordinal));
        Assert.Contains(messages,
            m => m.StartsWith("Self-test: device svc-1 answered one drive", StringComparison.Ordinal));
        Assert.Equal("Graceful stop: device svc-1 released", messages[^1]);
    }

    [Fact]
    public async Task Invalid_configuration_fails_the_host_start()
    {
        var builder = AgentHost.CreateBuilder(
            new AgentSettingsSources(null, new Dictionary<string, string?>()),
            [new("Edge:Device:System", "warp-drive"), new("Edge:Device:DeviceId", "svc-1")]);
        builder.Services.AddHostedService<DeviceHostService>();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(()
            => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Edge:Device:System", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_stops_the_service_gracefully_with_exit_code_zero()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Sends a POSIX signal with kill(1).");
        var agent = Path.Combine(AppContext.BaseDirectory, "edge-agent.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { agent, "run", "--system", "duffing", "--device-id", "svc-2" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var log = new ConcurrentQueue<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            log.Enqueue(e.Data);
            if (e.Data.Contains("Application started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            using (var kill = Process.Start("kill",
                ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30),
                TestContext.Current.CancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains(log, line => line.Contains("Graceful stop: device svc-2 released", StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => categoryName == typeof(DeviceHostService).FullName
            ? new Capturing(Messages) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception?
                exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    messages.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
