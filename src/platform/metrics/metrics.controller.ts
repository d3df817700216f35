import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../http/public.decorator.js';
import { MetricsService } from './metrics.service.js';

@Controller()
@Public()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
