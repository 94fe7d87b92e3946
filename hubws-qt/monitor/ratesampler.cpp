// SPDX-License-Identifier: MIT
#include "ratesampler.h"
#include "hubengine.h"

RateSampler::RateSampler(HubEngine *engine, int periodMs, QObject *parent)
    : QObject(parent), engine(engine)
{
    lastIn = engine->stat(NANOSTATE_HUB_STAT_FRAMES_IN);
    lastOut = engine->stat(NANOSTATE_HUB_STAT_FRAMES_OUT);
    clock.start();
    connect(&timer, &QTimer::timeout, this, &RateSampler::sample);
    timer.start(periodMs);
}

void RateSampler::sample()
{
    const quint64 in = engine->stat(NANOSTATE_HUB_STAT_FRAMES_IN);
    const quint64 out = engine->stat(NANOSTATE_HUB_STAT_FRAMES_OUT);
    const double seconds = qMax<qint64>(1, clock.restart()) / 1000.0;
    const double inRate = double(in - lastIn) / seconds;
    const double outRate = double(out - lastOut) / seconds;
    lastIn = in;
    lastOut = out;
    emit sampled(inRate, outRate);
}
