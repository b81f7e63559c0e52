using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Agent.Inference;

/// <summary>
/// Turns ONNX Runtime's telemetry off for the process before its native library starts. Its Linux builds otherwise
/// create a 1DS event store with a device id (<c>~/.cache/Microsoft/DeveloperTools/.onnxruntime/deviceid</c> and
/// <c>onnxruntime.db</c>) when the runtime environment is created — before
/// <see cref="OrtEnv.DisableTelemetryEvents"/> can be called — so the native environment variable
/// <c>ORT_DISABLE_TELEMETRY=1</c> is set first (through libc: <see cref="Environment.SetEnvironmentVariable(string,
/// string)"/>
/// does not reach native code on Unix), then the API switch for the builds that read that instead. Process-wide, so
/// done once, before the first session.
/// </summary>
internal static partial class OnnxRuntimeTelemetry
{
    private const string DisableVariable = "ORT_DISABLE_TELEMETRY";

    private static readonly Lazy<OrtEnv> Environment = new(() =>
    {
        if (!OperatingSystem.IsWindows() && SetEnv(DisableVariable, "1", overwrite: 1) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new
                InvalidOperationException($"Cannot set {DisableVariable} for ONNX Runtime (setenv errno {errno}).");
        }

        var environment = OrtEnv.Instance();
        environment.DisableTelemetryEvents();
        return environment;
    });

    /// <summary>Creates the ONNX Runtime environment with telemetry disabled, if not done yet.</summary>
    public static void EnsureDisabled() => _ = Environment.Value;

    [LibraryImport("libc", EntryPoint = "setenv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
