using System.Net;
using System.Net.Sockets;

namespace LocalFineTune.Server.Datasets;

/// <summary>
/// Which IP addresses a dataset download may connect to. Only public unicast addresses: loopback, private ranges,
/// link-local (which holds the 169.254.169.254 cloud metadata service), carrier-grade NAT (100.100.100.200 is a
/// metadata address too), multicast, documentation and unspecified addresses are refused, because a dataset_url is
/// attacker-controlled input that must not reach the service's own network (SSRF).
/// </summary>
public sealed class AddressPolicy(bool allowLoopback)
{
    private static readonly (IPAddress Network, int Prefix)[] BlockedV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8), (IPAddress.Parse("10.0.0.0"), 8), (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("169.254.0.0"), 16), (IPAddress.Parse("172.16.0.0"), 12), (IPAddress.Parse("192.0.0.0"), 24),
        (IPAddress.Parse("192.0.2.0"), 24), (IPAddress.Parse("192.168.0.0"), 16), (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("198.51.100.0"), 24), (IPAddress.Parse("203.0.113.0"), 24), (IPAddress.Parse("224.0.0.0"), 4),
        (IPAddress.Parse("240.0.0.0"), 4),
    ];

    private static readonly (IPAddress Network, int Prefix)[] BlockedV6 =
    [
        (IPAddress.Parse("::"), 128), (IPAddress.Parse("fc00::"), 7), (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("ff00::"), 8), (IPAddress.Parse("2001:db8::"), 32), (IPAddress.Parse("64:ff9b::"), 96),
        (IPAddress.Parse("2002::"), 16),
    ];

    public bool AllowLoopback { get; } = allowLoopback;

    /// <summary>Null when allowed, else why not (for the job's error message).</summary>
    public string? Check(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return AllowLoopback ? null : $"{address} is a loopback address";
        }
        var table = address.AddressFamily == AddressFamily.InterNetwork ? BlockedV4 : BlockedV6;
        foreach (var (network, prefix) in table)
        {
            if (network.AddressFamily == address.AddressFamily && InNetwork(address, network, prefix))
            {
                return $"{address} is a private, link-local, metadata or reserved address ({network}/{prefix})";
            }
        }
        return null;
    }

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var bit = 0; bit < prefix; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask))
            {
                return false;
            }
        }
        return true;
    }
}
