import { Module } from '@nestjs/common';
import { XdsGrpcServer } from './server/xds-grpc-server.service.js';

/** The xds role: one shard of the xDS fleet. */
@Module({ providers: [XdsGrpcServer], exports: [XdsGrpcServer] })
export class XdsFleetModule {}
