import { Controller, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Authenticate } from '../../tenants/auth/auth-policy.decorators.js';
import type { RequestWithTenant } from '../../tenants/auth/auth-policy.decorators.js';
import { AppMeshApi } from './app-mesh-api.js';
import { Op } from './op.decorator.js';

type Request = FastifyRequest & RequestWithTenant;

/**
 * The 38 operations of the App Mesh 2019-01-25 API. Each route's method and path come from the
 * model (see Op), so they cannot drift from the specification; every handler is the same call.
 */
@Controller()
@Authenticate('sigv4')
export class AppMeshController {
  constructor(private readonly api: AppMeshApi) {}

  @Op('CreateGatewayRoute')
  createGatewayRoute(@Req() r: Request) {
    return this.api.invoke('CreateGatewayRoute', r);
  }

  @Op('CreateMesh')
  createMesh(@Req() r: Request) {
    return this.api.invoke('CreateMesh', r);
  }

  @Op('CreateRoute')
  createRoute(@Req() r: Request) {
    return this.api.invoke('CreateRoute', r);
  }

  @Op('CreateVirtualGateway')
  createVirtualGateway(@Req() r: Request) {
    return this.api.invoke('CreateVirtualGateway', r);
  }

  @Op('CreateVirtualNode')
  createVirtualNode(@Req() r: Request) {
    return this.api.invoke('CreateVirtualNode', r);
  }

  @Op('CreateVirtualRouter')
  createVirtualRouter(@Req() r: Request) {
    return this.api.invoke('CreateVirtualRouter', r);
  }

  @Op('CreateVirtualService')
  createVirtualService(@Req() r: Request) {
    return this.api.invoke('CreateVirtualService', r);
  }

  @Op('DeleteGatewayRoute')
  deleteGatewayRoute(@Req() r: Request) {
    return this.api.invoke('DeleteGatewayRoute', r);
  }

  @Op('DeleteMesh')
  deleteMesh(@Req() r: Request) {
    return this.api.invoke('DeleteMesh', r);
  }

  @Op('DeleteRoute')
  deleteRoute(@Req() r: Request) {
    return this.api.invoke('DeleteRoute', r);
  }

  @Op('DeleteVirtualGateway')
  deleteVirtualGateway(@Req() r: Request) {
    return this.api.invoke('DeleteVirtualGateway', r);
  }

  @Op('DeleteVirtualNode')
  deleteVirtualNode(@Req() r: Request) {
    return this.api.invoke('DeleteVirtualNode', r);
  }

  @Op('DeleteVirtualRouter')
  deleteVirtualRouter(@Req() r: Request) {
    return this.api.invoke('DeleteVirtualRouter', r);
  }

  @Op('DeleteVirtualService')
  deleteVirtualService(@Req() r: Request) {
    return this.api.invoke('DeleteVirtualService', r);
  }

  @Op('DescribeGatewayRoute')
  describeGatewayRoute(@Req() r: Request) {
    return this.api.invoke('DescribeGatewayRoute', r);
  }

  @Op('DescribeMesh')
  describeMesh(@Req() r: Request) {
    return this.api.invoke('DescribeMesh', r);
  }

  @Op('DescribeRoute')
  describeRoute(@Req() r: Request) {
    return this.api.invoke('DescribeRoute', r);
  }

  @Op('DescribeVirtualGateway')
  describeVirtualGateway(@Req() r: Request) {
    return this.api.invoke('DescribeVirtualGateway', r);
  }

  @Op('DescribeVirtualNode')
  describeVirtualNode(@Req() r: Request) {
    return this.api.invoke('DescribeVirtualNode', r);
  }

  @Op('DescribeVirtualRouter')
  describeVirtualRouter(@Req() r: Request) {
    return this.api.invoke('DescribeVirtualRouter', r);
  }

  @Op('DescribeVirtualService')
  describeVirtualService(@Req() r: Request) {
    return this.api.invoke('DescribeVirtualService', r);
  }

  @Op('ListGatewayRoutes')
  listGatewayRoutes(@Req() r: Request) {
    return this.api.invoke('ListGatewayRoutes', r);
  }

  @Op('ListMeshes')
  listMeshes(@Req() r: Request) {
    return this.api.invoke('ListMeshes', r);
  }

  @Op('ListRoutes')
  listRoutes(@Req() r: Request) {
    return this.api.invoke('ListRoutes', r);
  }

  @Op('ListTagsForResource')
  listTagsForResource(@Req() r: Request) {
    return this.api.invoke('ListTagsForResource', r);
  }

  @Op('ListVirtualGateways')
  listVirtualGateways(@Req() r: Request) {
    return this.api.invoke('ListVirtualGateways', r);
  }

  @Op('ListVirtualNodes')
  listVirtualNodes(@Req() r: Request) {
    return this.api.invoke('ListVirtualNodes', r);
  }

  @Op('ListVirtualRouters')
  listVirtualRouters(@Req() r: Request) {
    return this.api.invoke('ListVirtualRouters', r);
  }

  @Op('ListVirtualServices')
  listVirtualServices(@Req() r: Request) {
    return this.api.invoke('ListVirtualServices', r);
  }

  @Op('TagResource')
  tagResource(@Req() r: Request) {
    return this.api.invoke('TagResource', r);
  }

  @Op('UntagResource')
  untagResource(@Req() r: Request) {
    return this.api.invoke('UntagResource', r);
  }

  @Op('UpdateGatewayRoute')
  updateGatewayRoute(@Req() r: Request) {
    return this.api.invoke('UpdateGatewayRoute', r);
  }

  @Op('UpdateMesh')
  updateMesh(@Req() r: Request) {
    return this.api.invoke('UpdateMesh', r);
  }

  @Op('UpdateRoute')
  updateRoute(@Req() r: Request) {
    return this.api.invoke('UpdateRoute', r);
  }

  @Op('UpdateVirtualGateway')
  updateVirtualGateway(@Req() r: Request) {
    return this.api.invoke('UpdateVirtualGateway', r);
  }

  @Op('UpdateVirtualNode')
  updateVirtualNode(@Req() r: Request) {
    return this.api.invoke('UpdateVirtualNode', r);
  }

  @Op('UpdateVirtualRouter')
  updateVirtualRouter(@Req() r: Request) {
    return this.api.invoke('UpdateVirtualRouter', r);
  }

  @Op('UpdateVirtualService')
  updateVirtualService(@Req() r: Request) {
    return this.api.invoke('UpdateVirtualService', r);
  }
}
