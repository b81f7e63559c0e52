using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Edge.Domain.Audio;

namespace Edge.Agent.Audio;

/// <summary>Receives a block of mono samples in [-1, 1]; the span is valid only during the call.</summary>
public delegate void AudioBlockHandler(ReadOnlySpan<float> samples);

/// <summary>A live capture source could not start or stopped with an error; the message says why.</summary>
public sealed class AudioCaptureException : Exception
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public AudioCaptureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public AudioCaptureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message (prefer the other constructors).</summary>
    public AudioCaptureException()
        : base("Audio capture failed.")
    {
    }
}

/// <summary>
/// Live capture through ALSA's <c>arecord</c>: raw signed 16-bit little-endian mono PCM on its stdout, decoded into
/// blocks and handed to the same streaming path as files. The executable and arguments can be replaced (another
/// capture program that writes the same raw stream).
/// </summary>
public sealed class ArecordCaptureSource
{
    /// <summary>Captures at <paramref name="sampleRate"/> Hz from ALSA device <paramref name="device"/>.</summary>
    public ArecordCaptureSource(int sampleRate, string device = "default", int blockSamples = 800)
        : this("arecord",
            ["-q", "-D", device, "-t", "raw", "-f", "S16_LE", "-c", "1", "-r",
                sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture)], sampleRate, blockSamples)
    {
    }

    /// <summary>Runs <paramref name="executable"/> with <paramref name="arguments"/>; it must write raw S16_LE mono PCM
    /// to stdout.</summary>
    public ArecordCaptureSource(string executable, IReadOnlyList<string> arguments, int sampleRate,
        int blockSamples = 800)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executable);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSamples, 1);
        Executable = executable;
        Arguments = arguments;
        SampleRate = sampleRate;
        BlockSamples = blockSamples;
    }

    /// <summary>The capture program.</summary>
    public string Executable { get; }

    /// <summary>Its arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Rate of the delivered samples.</summary>
    public int SampleRate { get; }

    /// <summary>Samples per delivered block (the last block may be shorter).</summary>
    public int BlockSamples { get; }

    /// <summary>
    /// Starts the program and delivers blocks until it ends or <paramref name="cancellationToken"/> fires (then it is
    /// killed and the task completes normally). Returns the number of samples delivered. A missing program or a
    /// non-zero exit raises <see cref="AudioCaptureException"/> with the program's own error text.
    /// </summary>
    public async Task<long> RunAsync(AudioBlockHandler onBlock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onBlock);
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            // Only arecord comes from alsa-utils; another program's failure is its own (path, permissions).
            var hint = Path.GetFileName(Executable) == "arecord"
                ? " On Debian/Raspberry Pi OS install it with 'apt-get install alsa-utils'."
                : " Check that it exists, is executable and is on PATH or given with its path.";
            throw new AudioCaptureException(
                $"Cannot start capture program '{Executable}': {error.Message}.{hint}", error);
        }

        var errorText = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var delivered = new StrongBox<long>();
        try
        {
            await PumpAsync(process.StandardOutput.BaseStream, onBlock, delivered,
                cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return delivered.Value;
        }

        if (process.ExitCode != 0)
        {
            var message = (await errorText.ConfigureAwait(false)).Trim();
            throw new
                AudioCaptureException($"Capture program '{Executable}' exited with code {process.ExitCode}: "
                    + $"{(message.Length > 0 ? message : "no error text")}.");
        }

        return delivered.Value;
    }

    private async Task PumpAsync(Stream stdout, AudioBlockHandler onBlock, StrongBox<long> delivered,
        CancellationToken cancellationToken)
    {
        var bytes = new byte[BlockSamples * 2];
        var samples = new float[BlockSamples];
        var filled = 0;
        while (true)
        {
            var read = await stdout.ReadAsync(bytes.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // A trailing odd byte is half a sample from a killed writer: dropped, not misread.
                var whole = filled / 2;
                if (whole > 0)
                {
                    PcmCodec.DecodeToMono(bytes.AsSpan(0, whole * 2), WavEncoding.Pcm16, 1, samples);
                    onBlock(samples.AsSpan(0, whole));
                    delivered.Value += whole;
                }

                return;
            }

            filled += read;
            if (filled == bytes.Length)
            {
                PcmCodec.DecodeToMono(bytes, WavEncoding.Pcm16, 1, samples);
                onBlock(samples);
                delivered.Value += samples.Length;
                filled = 0;
            }
        }
    }
}
