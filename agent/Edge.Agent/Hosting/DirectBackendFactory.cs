using System.Device.I2c;
using System.Device.Spi;
using Edge.Agent.Configuration;
using Edge.Devices.Adc;
using Edge.Devices.Analog;
using Edge.Devices.Dac;
using Edge.Devices.Emulation;
using Edge.Devices.Layers;
using Edge.Domain.Physics;
using Edge.Domain.Simulation;
using Iot.Device.Ads1115;

namespace Edge.Agent.Hosting;

/// <summary>Builds the Direct layer backend from configuration, on real buses or on the emulated bench.</summary>
public static class DirectBackendFactory
{
    /// <summary>Known DAC chip names.</summary>
    public static IReadOnlyList<string> Dacs { get; } = ["mcp4725", "mcp4728", "mcp4922"];

    /// <summary>Known ADC chip names.</summary>
    public static IReadOnlyList<string> Adcs { get; } = ["ads1115", "mcp3008", "mcp3208"];

    /// <summary>The layer on the chips of the Pi's own buses.</summary>
    /// <exception cref="DeviceUnavailableException">A bus cannot be opened (not a Pi, interface disabled, no
    /// permission) or the chips cannot keep up with the layer.</exception>
    public static DirectLayerDevice CreateOnHardware(IPhysicalSystem system, DeviceOptions options)
    {
        var direct = options.Direct;
        var dac = Open("DAC",
            () => Dac(direct, I2c(direct.I2cBus, direct.DacAddress),
                Spi(direct.SpiBus, direct.DacChipSelect, direct.DacSpiClockHz), TimeProvider.System));
        var adc = Open("ADC", () => Adc(
            direct,
            I2c(direct.I2cBus, direct.AdcAddress),
            Spi(direct.SpiBus, direct.AdcChipSelect, direct.AdcSpiClockHz)));

        // Linux opens the bus on the first transfer: the backend's first write (parking the DAC) is where it fails.
        return Layer(()
            => Open("DAC",
                () => new DirectLayerDevice(system.Spec, options.DeviceId, dac, adc, new HighResolutionSampleClock(),
                    TimeSpan.FromMilliseconds(direct.InterDriveGapMilliseconds))));
    }

    /// <summary>
    /// The same drivers against register-level emulators wired to a noise-free simulation of the part named by
    /// <see cref="DeviceOptions.DeviceId"/>, on a virtual clock: the hardware path without hardware.
    /// </summary>
    /// <exception cref="DeviceUnavailableException">The system cannot run sample by sample, or the chips cannot keep up
    /// with it.</exception>
    public static DirectLayerDevice CreateEmulated(IPhysicalSystem system, DeviceOptions options)
    {
        if (system.Physics is not ISampledPhysics physics)
        {
            throw new
                DeviceUnavailableException($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Backend)}: the "
                    + $"'{system.Name}' layer cannot run on the emulated bench (its physics is not a sampled circuit); "
                        + "use 'simulated'.");
        }

        var direct = options.Direct;
        var part = system.CreateDevice(options.DeviceId, options.Seed, Imperfections.None);
        var clock = new VirtualClock();
        var adcFullScale = IsAds1115(direct) ? 4.096 * 32767 / 32768 : direct.AdcReferenceVolts;
        var bench = new AnalogBench(physics, part.PartCoefficients, clock, direct.DacReferenceVolts * 4095 / 4096,
            adcFullScale);

        System.Device.I2c.I2cDevice? dacI2c = null;
        SpiDevice? dacSpi = null;
        switch (direct.Dac.ToLowerInvariant())
        {
            case "mcp4725":
                var mcp4725 = new Mcp4725Emulator(clock, direct.DacReferenceVolts, direct.DacAddress);
                mcp4725.Connect(bench.Drive);
                dacI2c = mcp4725;
                break;
            case "mcp4728":
                var mcp4728 = new Mcp4728Emulator(clock, direct.DacReferenceVolts, direct.DacAddress);
                mcp4728.Connect(direct.DacChannel, bench.Drive);
                dacI2c = mcp4728;
                break;
            default:
                var mcp4922 = new Mcp4922Emulator(clock, direct.DacReferenceVolts, direct.DacReferenceVolts,
                    direct.DacReferenceVolts, direct.DacSpiClockHz);
                mcp4922.Connect(direct.DacChannel, bench.Drive);
                dacSpi = mcp4922;
                break;
        }

        System.Device.I2c.I2cDevice? adcI2c = null;
        SpiDevice? adcSpi = null;
        Action<ConverterFault> adcFault;
        if (IsAds1115(direct))
        {
            var ads = new Ads1115Emulator(clock, direct.AdcAddress);
            ads.Connect(direct.AdcChannel, bench.Response);
            adcI2c = ads;
            adcFault = fault => ads.Fault = fault;
        }
        else
        {
            var mcp3xxx = new Mcp3xxxEmulator(clock,
                string.Equals(direct.Adc, "mcp3008", StringComparison.OrdinalIgnoreCase) ? 10 : 12,
                    direct.AdcReferenceVolts, direct.AdcSpiClockHz);
            mcp3xxx.Connect(direct.AdcChannel, bench.Response);
            adcSpi = mcp3xxx;
            adcFault = fault => mcp3xxx.Fault = fault;
        }

        var dac = Dac(direct, () => dacI2c!, () => dacSpi!, clock);
        var adc = Adc(direct, () => adcI2c!, () => adcSpi!);
        if (!string.IsNullOrWhiteSpace(direct.FaultFile))
        {
            // An SPI DAC has no acknowledge to withhold: dac-unresponsive applies to the I2C parts only.
            var faults = new EmulatedFaultFile(direct.FaultFile, adcFault, unresponsive =>
            {
                if (dacI2c is EmulatedI2cDevice chip)
                {
                    chip.Unresponsive = unresponsive;
                }
            });
            (dac, adc) = (faults.Wrap(dac), faults.Wrap(adc));
        }

        return Layer(()
            => new DirectLayerDevice(system.Spec, options.DeviceId, dac, adc, clock,
                TimeSpan.FromMilliseconds(direct.InterDriveGapMilliseconds)));
    }

    private static IDacChannel Dac(DirectBackendOptions direct, Func<System.Device.I2c.I2cDevice> i2c, Func<SpiDevice>
        spi, TimeProvider time) => direct.Dac.ToLowerInvariant() switch
    {
        "mcp4725" => new Mcp4725(i2c(), time),
        "mcp4728" => new Mcp4728(i2c(), time).Channel((Mcp4728Channel)direct.DacChannel, Mcp4728Reference.Vdd),
        _ => new Mcp4922(spi()).Channel((Mcp4922Channel)direct.DacChannel),
    };

    private static IAdcChannel Adc(
        DirectBackendOptions direct, Func<System.Device.I2c.I2cDevice> i2c, Func<SpiDevice> spi)
        => direct.Adc.ToLowerInvariant() switch
    {
        "ads1115" => new Ads1115Input(i2c(), InputMultiplexer.AIN0 + direct.AdcChannel),
        "mcp3008" => Mcp3xxxInput.Mcp3008(spi(), direct.AdcChannel),
        _ => Mcp3xxxInput.Mcp3208(spi(), direct.AdcChannel),
    };

    private static Func<System.Device.I2c.I2cDevice> I2c(int bus, int address) => ()
        => System.Device.I2c.I2cDevice.Create(new I2cConnectionSettings(bus, address));

    private static Func<SpiDevice> Spi(int bus, int chipSelect, int clockHz) => ()
        => SpiDevice.Create(new SpiConnectionSettings(bus, chipSelect) { ClockFrequency = clockHz, Mode =
            SpiMode.Mode0 });

    private static bool IsAds1115(DirectBackendOptions direct)
        => string.Equals(direct.Adc, "ads1115", StringComparison.OrdinalIgnoreCase);

    private static DirectLayerDevice Layer(Func<DirectLayerDevice> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            // The chips cannot keep up with the layer's rates: the message says which and what to use instead.
            throw new
                DeviceUnavailableException($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Direct)}: {e.Message}",
                    e);
        }
    }

    private static T Open<T>(string what, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException
                or DllNotFoundException)
        {
            throw new
                DeviceUnavailableException($"{DeviceOptions.SectionName}:{nameof(DeviceOptions.Direct)}: cannot open "
                    + $"the {what}: {e.Message} (is I2C/SPI enabled in /boot/firmware/config.txt, and is the agent in "
                        + "the i2c/spi groups?)", e);
        }
    }
}
