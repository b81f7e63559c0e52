namespace Edge.Domain.Audio;

/// <summary>Per-frame log-mel energies, MFCCs and frame energy (dB), stored contiguously and grown in place.</summary>
public sealed class FeatureFrames
{
    private float[] _logMel;
    private float[] _mfcc;
    private float[] _energyDb = new float[64];

    /// <summary>Creates an empty store for frames of <paramref name="melBands"/> and <paramref name="coefficients"/>
    /// values.</summary>
    public FeatureFrames(int melBands, int coefficients)
    {
        MelBands = melBands;
        Coefficients = coefficients;
        _logMel = new float[_energyDb.Length * melBands];
        _mfcc = new float[_energyDb.Length * coefficients];
    }

    /// <summary>Mel bands per frame.</summary>
    public int MelBands { get; }

    /// <summary>Cepstral coefficients per frame.</summary>
    public int Coefficients { get; }

    /// <summary>Frames stored.</summary>
    public int Count { get; private set; }

    /// <summary>Log-mel energies of frame <paramref name="frame"/>.</summary>
    public ReadOnlySpan<float> LogMel(int frame) => _logMel.AsSpan(Checked(frame) * MelBands, MelBands);

    /// <summary>MFCCs of frame <paramref name="frame"/>.</summary>
    public ReadOnlySpan<float> Mfcc(int frame) => _mfcc.AsSpan(Checked(frame) * Coefficients, Coefficients);

    /// <summary>Energy of frame <paramref name="frame"/> in dB.</summary>
    public float EnergyDb(int frame) => _energyDb[Checked(frame)];

    /// <summary>Appends a frame.</summary>
    public void Add(ReadOnlySpan<float> logMel, ReadOnlySpan<float> mfcc, float energyDb)
    {
        if (Count == _energyDb.Length)
        {
            Array.Resize(ref _energyDb, Count * 2);
            Array.Resize(ref _logMel, Count * 2 * MelBands);
            Array.Resize(ref _mfcc, Count * 2 * Coefficients);
        }

        logMel.CopyTo(_logMel.AsSpan(Count * MelBands));
        mfcc.CopyTo(_mfcc.AsSpan(Count * Coefficients));
        _energyDb[Count] = energyDb;
        Count++;
    }

    /// <summary>Removes all frames (keeps the buffers).</summary>
    public void Clear() => Count = 0;

    private int Checked(int frame) => (uint)frame < (uint)Count ? frame
        : throw new ArgumentOutOfRangeException(nameof(frame), frame, $"Only {Count} frames are stored.");
}
