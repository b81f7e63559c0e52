using System.Diagnostics;
using System.Globalization;
using Edge.Domain.Data;

namespace Edge.Tests.Shared.Faults;

/// <summary>
/// The broker configuration the project ships (deploy/mosquitto): certificates made by its make-certs.sh and the
/// configuration rendered by its render-config.sh, as an operator does; shared by the integration tests and the
/// fault bench so both run the configuration the field runs.
/// </summary>
public static class ShippedBrokerFiles
{
    private static readonly SemaphoreSlim CertificateGate = new(1, 1);
    private static readonly Dictionary<string, string> MadeCertificates = [];

    /// <summary>deploy/mosquitto of this repository.</summary>
    public static string Deploy => Path.Combine(
        DataPaths.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found"),
        "deploy",
        "mosquitto");

    /// <summary>
    /// Makes a CA, the broker's certificates, the trainer and <paramref name="services"/> service identities and
    /// <paramref name="devices"/> device identities in <paramref name="folder"/>.
    /// </summary>
    public static Task MakeCertificatesAsync(string folder, IEnumerable<string> services, IEnumerable<string> devices)
    {
        var arguments = new List<string> { Path.Combine(Deploy, "make-certs.sh"), "--dir", folder };
        foreach (var service in services)
        {
            arguments.AddRange(["--service", service]);
        }

        arguments.AddRange(devices);
        return RunAsync("bash", [.. arguments]);
    }

    /// <summary>
    /// Puts certificates for <paramref name="services"/> and <paramref name="devices"/> in <paramref name="folder"/>:
    /// made by make-certs.sh once per process for each set of identities, then copied (<c>cp -a</c>, modes kept).
    /// No fault touches them, and a fresh CA per repetition cost the fault bench seconds of openssl each time.
    /// </summary>
    public static async Task CopyCertificatesAsync(
        string folder, IReadOnlyList<string> services, IReadOnlyList<string> devices)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(devices);
        var key = string.Join(',', services) + "|" + string.Join(',', devices);
        string made;
        await CertificateGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!MadeCertificates.TryGetValue(key, out made!))
            {
                made = Path.Combine(Directory.CreateTempSubdirectory("edge-fault-certs-").FullName, "certs");
                await MakeCertificatesAsync(made, services, devices).ConfigureAwait(false);
                MadeCertificates[key] = made;
            }
        }
        finally
        {
            CertificateGate.Release();
        }

        await RunAsync("cp", "-a", made, folder).ConfigureAwait(false);
    }

    /// <summary>
    /// Renders the configuration into <paramref name="folder"/> for <paramref name="certificates"/> on the given
    /// ports (its persistence folder is <c>data</c> inside it, writable by the mosquitto user); returns the path of
    /// mosquitto.conf.
    /// </summary>
    public static async Task<string> RenderAsync(
        string folder, string certificates, int devicePort, int servicePort, int passwordPort)
    {
        await RunAsync("bash", Path.Combine(Deploy, "render-config.sh"), "--out", folder, "--certs", certificates,
            "--device-port", Invariant(devicePort), "--service-port", Invariant(servicePort),
            "--password-port", Invariant(passwordPort)).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            // Started as root, mosquitto drops to its own user, which must write its persistence file here.
            new DirectoryInfo(Path.Combine(folder, "data")).UnixFileMode = (UnixFileMode)0b111_111_111;
        }

        return Path.Combine(folder, "mosquitto.conf");
    }

    /// <summary>Makes <paramref name="folder"/> readable by the mosquitto user (it drops root before reading).
    /// </summary>
    public static void OpenToBroker(DirectoryInfo folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!OperatingSystem.IsWindows())
        {
            folder.UnixFileMode |= UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        }
    }

    /// <summary>Runs a helper program to its end; throws with its error output when it fails.</summary>
    public static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var said = await error.ConfigureAwait(false);
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {said}");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
