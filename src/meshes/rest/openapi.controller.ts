import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../../platform/http/public.decorator.js';
import { AppMeshModel } from '../api-model/app-mesh-model.js';
import { renderOpenApiJson } from '../api-model/openapi.js';

/**
 * The OpenAPI 3.1 description of the App Mesh surface, generated from the same model the
 * validators use (and committed as docs/api/openapi.json). Public: it describes the API, not data.
 */
@Controller()
@Public()
export class OpenApiController {
  private document: string | undefined;

  @Get('v20190125/openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  openapi(): string {
    this.document ??= renderOpenApiJson(AppMeshModel.load());
    return this.document;
  }
}
