using System;

namespace Volt.Search.Samplers;

/// <summary>The standard normal distribution's CDF, its inverse, and a truncated normal's sampling and log density.</summary>
internal static class TruncatedNormal
{
    private const double LogSqrtTwoPi = 0.91893853320467274178;

    /// <summary>Φ(x).</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>log(Φ(b) − Φ(a)) for a ≤ b, computed in the tail that keeps precision.</summary>
    public static double LogMass(double a, double b)
    {
        // Far in the right tail Φ(b) − Φ(a) loses every digit; mirror it into the left tail.
        var mass = a > 0 ? Cdf(-a) - Cdf(-b) : Cdf(b) - Cdf(a);
        return Math.Log(Math.Max(mass, 1e-300));
    }

    /// <summary>The log density at <paramref name="x"/> of N(mu, sigma) truncated to [low, high].</summary>
    public static double LogPdf(double x, double mu, double sigma, double low, double high)
    {
        if (x < low || x > high)
        {
            return double.NegativeInfinity;
        }

        var z = (x - mu) / sigma;
        return -0.5 * z * z - LogSqrtTwoPi - Math.Log(sigma) - LogMass((low - mu) / sigma, (high - mu) / sigma);
    }

    /// <summary>A sample of N(mu, sigma) truncated to [low, high], by inverting the CDF.</summary>
    public static double Sample(Random random, double mu, double sigma, double low, double high)
    {
        var a = (low - mu) / sigma;
        var b = (high - mu) / sigma;
        double z;
        if (a > 0)
        {
            // Sample the mirrored interval [-b, -a] in the left tail where Φ is precise.
            var lower = Cdf(-b);
            var upper = Cdf(-a);
            z = -InverseCdf(lower + (random.NextDouble() * (upper - lower)));
        }
        else
        {
            var lower = Cdf(a);
            var upper = Cdf(b);
            z = InverseCdf(lower + (random.NextDouble() * (upper - lower)));
        }

        return Math.Clamp(mu + (sigma * z), low, high);
    }

    /// <summary>Φ⁻¹(p): Acklam's rational approximation refined by one Halley step (about 1e-15 relative error).</summary>
    public static double InverseCdf(double p)
    {
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }

        if (p >= 1)
        {
            return double.PositiveInfinity;
        }

        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        double x;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p <= 1 - low)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        var e = Cdf(x) - p;
        var u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - (u / (1 + (x * u / 2)));
    }

    /// <summary>erfc(x) by the Chebyshev fit of Numerical Recipes (fractional error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
